"""Support tickets: "Ask a person" relayed both ways between a user and the staff."""
