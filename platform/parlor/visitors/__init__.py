"""Visitor context: who a visitor or user is (signed claims or the page's word) and where."""
