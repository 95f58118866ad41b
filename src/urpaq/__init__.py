"""urpaq: the operator system of Kazakhstan's National Fund for Children programme."""

__version__ = "0.1.0"
