"""Integration tests against AWS DynamoDB Local (run in their own pytest process; see conftest.py)."""
