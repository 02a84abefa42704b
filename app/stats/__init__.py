"""Progress statistics: pure functions over the store's rows and the bank index."""
