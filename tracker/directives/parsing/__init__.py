"""From a directive's text to a draft: header, tasks, agencies, deadlines, citations,
signer and distribution, each field with the span of source text it came from.

`parse_text(text, gazetteer)` is the entry point; `draft.Draft.to_json()` gives the
contract of `tracker parse`."""
