"""Dataset messages name the recipe key a user sets, `data.root`, not the dataset's own name."""

from __future__ import annotations

import pytest

from inrvid.cli import main
from inrvid.loading.plugins import load_plugins
from tests.conftest import REPO

UCF = str(REPO / "recipes" / "digan_ucf.yaml")


def test_a_missing_dataset_folder_names_data_root_and_the_override_that_sets_it(
    tmp_path, monkeypatch, capsys
):
    load_plugins()
    monkeypatch.chdir(tmp_path)
    assert main(["data", "inspect", UCF, "data.root=nowhere"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"data.root (ucf101 dataset): no such folder: got {tmp_path / 'nowhere'}" in err
    assert "set data.root to the folder that holds the data: `data.root=/path/to/it`" in err
    assert "ucf101.root" not in err


@pytest.mark.parametrize("override", ["ucf101.root=/datasets/ucf", "root=/datasets/ucf"])
def test_a_dataset_option_written_at_the_top_level_suggests_its_data_key(override, capsys):
    load_plugins()
    assert main(["recipe", "validate", UCF, override]) == 2
    err = " ".join(capsys.readouterr().err.split())
    key = override.split("=")[0].split(".")[0]
    assert f"{key}: not an option of the recipe did you mean 'data.root'?" in err


def test_the_options_of_a_mapping_named_after_the_dataset_are_each_suggested(capsys):
    load_plugins()
    assert main(["recipe", "validate", UCF, "ucf101={root: /d, resolution: 64, nope: 1}"]) == 2
    assert "did you mean 'data.root' or 'data.resolution'?" in " ".join(
        capsys.readouterr().err.split())
