"""The question bank: models, loader, index, cache and schema. Never imports Textual.

Import the submodules directly: this package stays empty so that importing the light index
(``app.bank.index``) does not pull in pydantic and YAML.
"""
