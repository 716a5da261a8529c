"""Helpers the tests import but pytest does not collect: local servers standing in for the outside world."""
