"""`aiwatch eval`: how well aiwatch does on a labeled corpus."""

from __future__ import annotations

from pathlib import Path

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, emit_json
from aiwatch.config import Config

DEFAULT_CORPUS = Path(__file__).parents[2] / "tests" / "corpus" / "articles.yaml"
corpus_option = click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Labeled corpus (YAML).",
)


@click.group(name="eval", invoke_without_command=True)
@corpus_option
@click.option(
    "--devset",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A development corpus folder (articles/, labels.json, splits.json) instead.",
)
@click.option(
    "--split",
    type=click.Choice(["all", "fit", "check"]),
    default="all",
    show_default=True,
    help="With --devset: which split to score.",
)
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
def eval_group(
    ctx: click.Context, corpus: Path, devset: Path | None, split: str, as_json: bool
) -> None:
    """Evaluate aiwatch on a labeled corpus: story clustering (pairwise and B-cubed) and
    events per type. Runs the whole NLP stage in a scratch store.

    \b
    Example:
      aiwatch eval --json
      aiwatch eval --devset ../shared/devset/corpus --split check
    """
    from aiwatch.settings import nlp_settings
    from nlp.evaluate import load_corpus, load_devset
    from nlp.pipeline_eval import evaluate_pipeline

    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    config = Config.load(app.config_path, must_exist=False)
    try:
        articles = load_devset(devset, split) if devset else load_corpus(corpus)
    except (OSError, KeyError, ValueError) as exc:
        raise click.ClickException(f"cannot read the corpus: {exc}") from None
    result = evaluate_pipeline(articles, nlp_settings(config))
    if as_json:
        emit_json({k: v for k, v in result.items() if k != "predicted_events"})
        return
    emit(["measure", "value"], list(result["stories"].items()), title="story clustering")
    rows = [
        (t, s["precision"], s["recall"], s["f1"], s["tp"], s["fp"], s["fn"])
        for t, s in result["events"].items()
    ]
    emit(["type", "precision", "recall", "f1", "tp", "fp", "fn"], rows, title="events")


@eval_group.command("entities")
@corpus_option
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def eval_entities(app: App, corpus: Path, as_json: bool) -> None:
    """Precision, recall and F1 per entity type, for mentions and for linked keys.

    \b
    Example:
      aiwatch eval entities --json
    """
    from aiwatch.settings import gazetteer_path
    from nlp.entities import EntityRecognizer
    from nlp.evaluate import evaluate_entities, load_corpus

    config = Config.load(app.config_path, must_exist=False)
    scores = evaluate_entities(load_corpus(corpus), EntityRecognizer(gazetteer_path(config)))
    if as_json:
        emit_json(scores)
        return
    for level, by_type in scores.items():
        rows = [
            (t, s["precision"], s["recall"], s["f1"], s["tp"], s["fp"], s["fn"])
            for t, s in by_type.items()
        ]
        emit(["type", "precision", "recall", "f1", "tp", "fp", "fn"], rows, title=level)


COMMANDS = [eval_group]
