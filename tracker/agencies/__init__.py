"""Agencies (cơ quan, đơn vị), their hierarchy, and the groups directives address."""
