"""The example blueprints that come with servicebp, as files to load, render or read.

The same files as the ``examples/`` folder of a clone (the bank, the hotel
grid, the tutorials' blueprints), shipped inside the package so that code
pasted from the docs runs wherever servicebp is installed::

    import servicebp
    bank = servicebp.load(servicebp.examples.path("bank_account_opening"))
"""

from servicebp.examples._files import names, path

__all__ = ["names", "path"]
