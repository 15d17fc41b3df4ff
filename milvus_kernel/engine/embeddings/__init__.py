"""Client-side embedding models: text becomes vectors inside the language (LANGUAGE.md §18).

`providers` loads a model named `provider:model` (sentence-transformers, or an OpenAI-compatible
API) on first use, never at kernel start; `binding` keeps which vector field is embedded from
which text field by which model in the collection's properties.
"""
