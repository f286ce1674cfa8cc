"""Wire formats of source and CDR topics other than JsonConverter's (which the core reads
natively): each turns records into the documents the core reads and back."""
