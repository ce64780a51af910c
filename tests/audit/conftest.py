# The phones, batches and households of the distribution tests.
from tests.distribution.conftest import batch_to_na_ri, commune_stock, donation, households, stock  # noqa: F401
