"""Users, roles, sign-in and permission predicates."""
