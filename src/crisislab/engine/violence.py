"""ICB's violence level from what a crisis has seen (MODEL.md §9), one rule for the day loop and
for the coder that reads recorded timelines (history/icb_coder.py)."""

from __future__ import annotations

from numba import njit

from crisislab.engine.constants import (
    FULL_SCALE_WAR,
    MINOR_CLASHES,
    NO_VIOLENCE,
    SERIOUS_BATTLE_DEATHS,
    SERIOUS_CLASHES,
    SERIOUS_STRIKES,
    WAR_BATTLE_DEATHS,
    WAR_CAMPAIGN_DAYS,
)


@njit(cache=True, inline="always")
def violence_level(
    violent: bool,
    direct_strikes_in_window: int,
    lethal_both_sides: bool,
    battle_deaths_in_year: float,
    declared_war: bool,
    campaign_days: int,
) -> int:
    """1 no violence; 2 minor clashes (any violent act between the crisis actors or their
    proxies); 3 serious clashes (SERIOUS_STRIKES direct strikes within the window with deaths on
    both sides, or SERIOUS_BATTLE_DEATHS battle deaths); 4 full-scale war (WAR_BATTLE_DEATHS
    battle deaths within a year, a declared war, or a campaign of WAR_CAMPAIGN_DAYS days)."""
    if (
        declared_war
        or battle_deaths_in_year >= WAR_BATTLE_DEATHS
        or campaign_days >= WAR_CAMPAIGN_DAYS
    ):
        return FULL_SCALE_WAR
    serious_exchange = direct_strikes_in_window >= SERIOUS_STRIKES and lethal_both_sides
    if serious_exchange or battle_deaths_in_year >= SERIOUS_BATTLE_DEATHS:
        return SERIOUS_CLASHES
    return MINOR_CLASHES if violent else NO_VIOLENCE
