"""The transparency log (pure): RFC 9162 Merkle trees, C2SP checkpoints and cosignatures, proofs."""
