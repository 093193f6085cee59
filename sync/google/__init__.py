"""Everything Google: the client and its sign-in, the backend, setup, claims, names and doctor."""
