"""Helpers the tests share: the CLI runner, the fixture index, real wheels, tiny sdists."""
