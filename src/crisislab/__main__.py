"""`python -m crisislab` runs the command line."""

from crisislab.cli import main

main()
