"""What the services need from the outside world, one narrow port per stage of the data
flow: the register, the National Bank's parameters, closes, the ledger, payouts and
operators, reads for statistics, and the HTTP edge.  A `UnitOfWork`
(`ports/unit_of_work.py`) hands them out and commits or rolls back explicitly.
"""
