"""Evidence files: type sniffing and content-addressed storage."""
