"""`python -m urpaq` runs the command line."""

from urpaq.entrypoints.cli import main

main()
