"""Verifiable credentials, pure Python (no Django): the shipped JSON-LD contexts, Ed25519 keys
as Multikeys, Data Integrity proofs (eddsa-rdfc-2022) and Bitstring Status Lists."""
