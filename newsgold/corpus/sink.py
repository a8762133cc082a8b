"""Write each configuration's tables twice in one pass: Parquet (the Hub folder) and Arrow (disk).

`hub/<config>/<split>-00000-of-00001.parquet` is what `corpus publish` uploads and what
`load_dataset` reads. `disk/<config>/` is the folder `DatasetDict.save_to_disk` would write
(Arrow stream files written by `datasets`' own `ArrowWriter`, plus its three small JSON files),
so `load_from_disk` works on it. Writing both as the tables stream by, rather than converting
the Parquet afterwards with `save_to_disk`, keeps peak memory flat for any corpus size (measured
in benchmarks/RESULTS.md); a test checks the folder against a real `save_to_disk`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import DatasetInfo, Features, SplitDict, SplitInfo
from datasets import config as datasets_config
from datasets.arrow_writer import ArrowWriter
from datasets.utils.py_utils import asdict  # datasets' own, which serializes Features

ROWS_PER_GROUP = {"documents": 200}  # whole articles with their spans: keep the buffer small
DEFAULT_ROWS_PER_GROUP = 2_000
ARROW_FILE = "data-00000-of-00001.arrow"


class TableSink:
    """One Parquet writer and one Arrow writer per (configuration, split), fed table by table.

    Tables are buffered until a row group is full, so the files depend only on the rows written,
    never on how they were batched (a build gives the same bytes for any number of workers).
    """

    def __init__(self, hub: Path, disk: Path, features: dict[str, Features]) -> None:
        self.hub = hub
        self.disk = disk
        self.features = features
        self.buffers: dict[tuple[str, str], list[pa.Table]] = {}
        self.buffered: dict[tuple[str, str], int] = {}
        self.parquet: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.arrow: dict[tuple[str, str], ArrowWriter] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.sizes: dict[tuple[str, str], int] = {}  # Arrow bytes per (configuration, split)

    def parquet_path(self, config: str, split: str) -> Path:
        """Where a configuration's split goes in the Hub folder (`<config>/<split>-NNNNN-of-NNNNN`)."""
        return self.hub / config / f"{split}-00000-of-00001.parquet"

    def write(self, config: str, split: str, table: pa.Table) -> None:
        """Queue `table`'s rows; full row groups are written to both files."""
        if table.num_rows == 0:
            return
        key = (config, split)
        self.buffers.setdefault(key, []).append(table)
        self.buffered[key] = self.buffered.get(key, 0) + table.num_rows
        self.counts[key] = self.counts.get(key, 0) + table.num_rows
        size = ROWS_PER_GROUP.get(config, DEFAULT_ROWS_PER_GROUP)
        while self.buffered[key] >= size:
            self._flush(key, size)

    def _flush(self, key: tuple[str, str], size: int | None) -> None:
        """Write the first `size` buffered rows (all of them if None) as one row group."""
        tables = self.buffers.get(key)
        if not tables:
            return
        combined = pa.concat_tables(tables)
        rows = combined.num_rows if size is None else size
        head, rest = combined.slice(0, rows), combined.slice(rows)
        self.buffers[key] = [rest] if rest.num_rows else []
        self.buffered[key] = rest.num_rows
        if key not in self.parquet:
            config, split = key
            target = self.parquet_path(config, split)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.parquet[key] = pq.ParquetWriter(target, head.schema, compression="snappy")
            folder = self.disk / config / split
            folder.mkdir(parents=True, exist_ok=True)
            self.arrow[key] = ArrowWriter(features=self.features[config], path=str(folder / ARROW_FILE))
        self.parquet[key].write_table(head, row_group_size=max(head.num_rows, 1))
        self.arrow[key].write_table(head)

    def close(self) -> None:
        """Flush what is left, close every file and write the `save_to_disk` JSON files."""
        for key in list(self.buffers):
            self._flush(key, None)
        for writer in self.parquet.values():
            writer.close()
        for key, writer in self.arrow.items():
            _, self.sizes[key] = writer.finalize()
            writer.close()
        for config in self.features:
            splits = [split for (name, split) in self.arrow if name == config]
            (self.disk / config).mkdir(parents=True, exist_ok=True)
            (self.disk / config / datasets_config.DATASETDICT_JSON_FILENAME).write_text(
                json.dumps({"splits": splits}), encoding="utf-8"
            )
            for split in splits:
                self._write_disk_state(config, split)

    def discard(self) -> None:
        """Close every open file without finishing it (the build failed; its folder is removed)."""
        for writer in self.parquet.values():
            writer.close()
        for writer in self.arrow.values():
            writer.close()

    def _write_disk_state(self, config: str, split: str) -> None:
        """`state.json` and `dataset_info.json` exactly as `Dataset.save_to_disk` writes them.

        The fingerprint (datasets' cache key) is the sha256 of the split's Parquet file, so it
        changes exactly when the data does.
        """
        folder = self.disk / config / split
        digest = hashlib.sha256()
        with self.parquet_path(config, split).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        state = {
            "_data_files": [{"filename": ARROW_FILE}],
            "_fingerprint": digest.hexdigest()[:16],
            "_format_columns": None,
            "_format_kwargs": {},
            "_format_type": None,
            "_output_all_columns": False,
            "_split": split,
        }
        (folder / datasets_config.DATASET_STATE_JSON_FILENAME).write_text(
            json.dumps(state, indent=2, sort_keys=True), encoding="utf-8"
        )
        rows, size = self.counts[(config, split)], self.sizes[(config, split)]
        splits = SplitDict({split: SplitInfo(name=split, num_bytes=size, num_examples=rows, dataset_name="newsgold")})
        dataset = DatasetInfo(
            features=self.features[config], dataset_name="newsgold", config_name=config, splits=splits, dataset_size=size
        )
        info = asdict(dataset)
        (folder / datasets_config.DATASET_INFO_FILENAME).write_text(
            json.dumps({key: info[key] for key in sorted(info)}, indent=2), encoding="utf-8"
        )
