-- Compressed snapshot sources (issue 11): how the source file was compressed, told by
-- its first bytes, and its size as given. `source_bytes` stays the size of the text the
-- build read (decompressed). Rows sealed before this read as an uncompressed source.
-- Landed migrations are never edited; change the schema with a new file.

ALTER TABLE snapshots ADD COLUMN source_compression TEXT NOT NULL DEFAULT 'none'
    CHECK (source_compression IN ('none', 'gzip', 'zstd'));

-- The compressed file's size in bytes; NULL for an uncompressed source. Filled when sealed.
ALTER TABLE snapshots ADD COLUMN source_compressed_bytes INTEGER;
