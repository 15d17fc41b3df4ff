"""The transformer's rules, one mixin per statement family: literals, column types, filters,
search, files, administration, the legacy dialect, and a table of rules that only pass names on."""
