"""Load Parquet files into a local Spark session's tables, for the portability test (SPEC 10).

    .venv-spark/bin/python tests/spark_load.py <spark dir> <parquet dir>

Each `<schema>.<table>.parquet` in the Parquet folder becomes the table `<schema>.<table>`,
stored under `<spark dir>/tables` with the embedded Derby metastore in `<spark dir>`, the same
places the dbt profile's `spark` target uses ($FUNNEL_SPARK_DIR). Runs in its own process:
Derby lets one process at a time open the metastore, and dbt's session opens it next.
"""

import sys
from pathlib import Path


def spark_session(spark_dir: Path):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.warehouse.dir", str(spark_dir / "tables"))
        .config(
            "javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}")
        .config("spark.sql.session.timeZone", "UTC")
        # DuckDB's timestamps carry no zone; read them as the session's (UTC) timestamps, the
        # type dbt-spark's date macros work with, not as TIMESTAMP_NTZ
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "false")
        .config("spark.ui.enabled", "false")
        .enableHiveSupport()
        .getOrCreate()
    )


def main(spark_dir: Path, parquet_dir: Path) -> None:
    spark = spark_session(spark_dir)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for path in sorted(parquet_dir.glob("*.parquet")):
            schema, table = path.name.removesuffix(".parquet").split(".", 1)
            spark.sql(f"create database if not exists {schema}")
            spark.read.parquet(str(path)).write.mode("overwrite").saveAsTable(f"{schema}.`{table}`")
    finally:
        spark.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
