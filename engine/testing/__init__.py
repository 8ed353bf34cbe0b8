"""Tools for testing plugins: a cassette writer and a contract suite every backend can reuse."""
