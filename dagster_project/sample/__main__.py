"""``python -m dagster_project.sample --scale s --seed 7 --out seeds/landing``"""

from dagster_project.sample.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
