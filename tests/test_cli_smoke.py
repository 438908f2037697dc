import pytest

from workbench.cli import build_parser, main


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--approve", "sometimes", "-p", "hi"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_parser_accepts_public_flags():
    args = build_parser().parse_args(["-p", "hello", "--output-format", "jsonl", "--provider", "replay",
                                      "--max-cost", "1.5", "--approve", "yolo"])
    assert args.prompt == "hello" and args.output_format == "jsonl" and args.max_cost == 1.5
    assert build_parser().parse_args(["-r"]).resume == ""
    assert build_parser().parse_args(["-r", "abc"]).resume == "abc"
