"""Output formats: how encoded samples of a shard are stored (files, LMDB, WebDataset tars)."""
