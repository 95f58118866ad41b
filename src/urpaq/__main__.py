"""`python -m urpaq` runs the command line."""

from urpaq.entrypoints.launch import main

main()
