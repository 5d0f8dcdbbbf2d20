"""Release decisions: pure functions of the register, the security policies and a request."""
