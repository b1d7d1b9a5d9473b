"""The Textual app: the only package that imports Textual. It drives the same session, grader and store
as the command line."""
