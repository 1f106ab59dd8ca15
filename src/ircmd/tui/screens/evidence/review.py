"""The post-incident review: a keyboard-first form beside the timeline's key moments.

``tab``/``shift+tab`` move between fields, ``space`` marks a key moment, ``ctrl+s`` saves a
draft, ``ctrl+r`` completes the review (the incident moves to ``reviewed``), ``escape``
goes back (saving a draft first when something changed, so nothing typed is lost), ``q``
asks before quitting when something changed (yes saves a draft first). Letters typed on the
closed root-cause dropdown pick its category; ``enter``/``space``/arrows open its menu.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static, TextArea

from ircmd.domain.evidence.review import (
    Impact,
    Review,
    RootCause,
    format_actions,
    format_controls,
    parse_actions,
    parse_controls,
    parse_list,
    suggest_key_moments,
)
from ircmd.domain.incidents.incident import DomainError, Incident, Status
from ircmd.domain.incidents.timeline import TimelineEvent
from ircmd.domain.text import count, one_line
from ircmd.service import Workspace
from ircmd.store.base import StoreError
from ircmd.tui.messages import ReportError, StoreChanged
from ircmd.tui.screens.evidence.review_parts import (
    MomentsRead,
    ReviewFailed,
    ReviewLoaded,
    ReviewSaved,
    review_header,
    review_hints,
)
from ircmd.tui.widgets.footer import FitFooter
from ircmd.tui.widgets.incidents.key_moments import KeyMomentsList
from ircmd.tui.widgets.refusals import Refusals, with_refusals
from ircmd.tui.widgets.titled import TitledInput, TitledTextArea, longest_fitting
from ircmd.tui.widgets.type_select import TypeToPickSelect

# (field id, titles longest first, height in lines) of the free-text areas, in tab order;
# a narrow field shows the longest title that fits whole (its format hint kept)
_AREAS: list[tuple[str, tuple[str, ...], int]] = [
    ("summary", ("Summary",), 3),
    ("what_happened", ("What happened",), 4),
    (
        "contributing_factors",
        ("Contributing factors (one per line)", "Factors (one per line)"),
        3,
    ),
    (
        "controls",
        (
            "Controls (+worked / -failed, one per line: '+human review: caught 3')",
            "Controls, one per line: '+worked: note' / '-failed: note'",
            "Controls: +worked / -failed: note",
            "+worked / -failed: note",
        ),
        3,
    ),
    ("went_well", ("What went well (one per line)", "Went well (one per line)"), 3),
    ("went_badly", ("What went badly (one per line)", "Went badly (one per line)"), 3),
    (
        "actions",
        (
            "Action items: title | owner | YYYY-MM-DD",
            "Actions: title | owner | YYYY-MM-DD",
            "Actions: title|owner|YYYY-MM-DD",
            "title|owner|YYYY-MM-DD",
        ),
        4,
    ),
    (
        "expected_behaviour",
        ("Expected behaviour (for eval cases)", "Expected behaviour (evals)"),
        3,
    ),
    ("messaging", ("Messaging (what was said, to whom)", "Messaging: what, to whom"), 3),
]
_TAXONOMY_TITLES = (
    "OWASP / ATLAS ids (comma-separated)",
    "OWASP / ATLAS ids, comma-separated",
    "OWASP/ATLAS ids (a, b)",
)
_IMPACT = [("people", "people"), ("records", "records"), ("money", "money"), ("hours", "hours")]


class ReviewScreen(Refusals, Screen[None]):
    BINDINGS = with_refusals(
        [
            Binding("escape", "back", "Back", id="review.back"),
            Binding("ctrl+s", "save", "Save draft", priority=True, id="review.save"),
            Binding("ctrl+r", "complete", "Complete review", priority=True, id="review.complete"),
        ],
        ("review.save", "review.complete"),
    )
    AUTO_FOCUS = "#review-summary"

    def __init__(self, workspace: Workspace, incident_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = workspace.incidents
        self.incident_id = incident_id
        self.incident: Incident | None = None
        self.review: Review | None = None
        self._loaded_form: dict[str, Any] | None = None
        self._leaving = False
        self._quitting = False
        self._hints: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="review-header")
        yield Label("", id="review-hint", markup=False)
        with Horizontal(id="review-body"):
            with VerticalScroll(id="review-form"):
                for key, titles, height in _AREAS[:1]:
                    yield self._area(key, titles, height)
                yield TypeToPickSelect(
                    [(c.label, c.value) for c in RootCause],
                    prompt="Root cause: choose the category",
                    id="review-root_cause",
                )
                for key, titles, height in _AREAS[1:2]:
                    yield self._area(key, titles, height)
                with Horizontal(id="review-impact"):
                    for key, title in _IMPACT:
                        field = Input(placeholder="?", id=f"review-{key}", type="number")
                        field.border_title = title
                        yield field
                for key, titles, height in _AREAS[2:]:
                    yield self._area(key, titles, height)
                yield TitledInput(
                    _TAXONOMY_TITLES, placeholder="LLM01:2025, AML.T0051", id="review-taxonomy"
                )
            with Vertical(id="review-side"):
                moments = KeyMomentsList(id="review-moments")
                moments.border_title = "Key moments (space marks)"
                yield moments
                yield Static(id="review-evidence")
        yield Static(id="status-bar")
        yield FitFooter()

    @staticmethod
    def _area(key: str, titles: tuple[str, ...], height: int) -> TextArea:
        return TitledTextArea(titles, id=f"review-{key}", classes=f"review-area h{height}")

    def on_mount(self) -> None:
        update = getattr(self.app, "update_status_bar", None)
        if update is not None:
            update(self)
        if getattr(self.app, "read_only", False):
            for area in self.query(TextArea):
                area.read_only = True
            for field in self.query(Input):
                field.disabled = True
        self.load()

    IMPACT_IN_ONE_ROW_FROM = 160
    """Narrower screens show the four impact fields two by two (no title or value cut)."""
    SIDE_BY_SIDE_FROM = 100
    """Narrower screens (80×24) put the key moments under the form, so both get the width."""

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.IMPACT_IN_ONE_ROW_FROM
        self.query_one("#review-impact").set_class(narrow, "-two-by-two")
        stacked = event.size.width < self.SIDE_BY_SIDE_FROM
        self.query_one("#review-body").set_class(stacked, "-stacked")
        self._fit_hint(event.size.width)

    def _show_hint(self, status: Status) -> None:
        self._hints = review_hints(status, getattr(self.app, "read_only", False))
        self._fit_hint(self.size.width)

    def _fit_hint(self, width: int) -> None:
        """The longest of the hints that fits the line whole (its padding left out)."""
        if self._hints:
            hint = longest_fitting(self._hints, width - 2)
            self.query_one("#review-hint", Label).update(hint)

    def on_store_changed(self, _message: StoreChanged) -> None:
        """Another console wrote: refresh the timeline beside the form (never the form)."""
        if self.review is not None:
            self.refresh_moments()

    @work(thread=True, exclusive=True, group="review-moments", exit_on_error=False)
    def refresh_moments(self) -> None:
        try:
            events = self.service.timeline(self.incident_id)
        except (DomainError, StoreError):
            return  # the next change retries; the form is untouched either way
        except Exception as exc:  # worker: a bug is one line, never a silent stop
            self.post_message(ReportError(exc))
            return
        self.post_message(MomentsRead(events))

    def on_moments_read(self, message: MomentsRead) -> None:
        self._show_moments(message.events)

    def _show_moments(self, events: list[TimelineEvent]) -> None:
        moments = self.query_one(KeyMomentsList)
        marked = moments.marked
        # a new event that is a usual key moment is marked, as at load
        fresh = [e for e in events if e.seq not in moments.seqs]
        marked += suggest_key_moments(fresh)
        highlighted = moments.highlighted
        moments.show(events, marked)
        if highlighted is not None:
            moments.highlighted = min(highlighted, len(events) - 1)

    # -- loading ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="review-load", exit_on_error=False)
    def load(self) -> None:
        from ircmd.service.evidence.dossier import load_dossier
        from ircmd.service.evidence.review import load_review

        try:
            review = load_review(self.service, self.incident_id)
            dossier = load_dossier(self.service, self.incident_id)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ReviewFailed(exc, saving=False))
            return
        self.post_message(
            ReviewLoaded(
                dossier.incident,
                dossier.events,
                review,
                len(dossier.spans),
                len(dossier.eval_cases),
            )
        )

    def on_review_loaded(self, m: ReviewLoaded) -> None:
        self._show(m.inc, m.events, m.review, m.spans, m.cases)

    def on_review_failed(self, message: ReviewFailed) -> None:
        if message.saving:
            self._failed(message.error)
        else:
            self._error(message.error)

    def on_review_saved(self, message: ReviewSaved) -> None:
        self._saved(message.inc, message.saved)

    def _show(
        self, inc: Incident, events: list[TimelineEvent], review: Review, spans: int, cases: int
    ) -> None:
        self.incident, self.review = inc, review
        self.query_one("#review-header", Static).update(review_header(inc, review))
        self._show_hint(inc.status)
        if review.root_cause is not None:
            self.query_one("#review-root_cause", Select).value = review.root_cause.value
        values = {
            "summary": review.summary,
            "what_happened": review.what_happened,
            "contributing_factors": "\n".join(review.contributing_factors),
            "controls": format_controls(review.controls),
            "went_well": "\n".join(review.went_well),
            "went_badly": "\n".join(review.went_badly),
            "actions": format_actions(review.actions),
            "expected_behaviour": review.expected_behaviour,
            "messaging": review.messaging,
        }
        for key, text in values.items():
            self.query_one(f"#review-{key}", TextArea).load_text(text)
        impact = review.impact
        for key, _ in _IMPACT:
            v = getattr(impact, key)
            self.query_one(f"#review-{key}", Input).value = "" if v is None else f"{v:g}"
        self.query_one("#review-taxonomy", Input).value = ", ".join(review.taxonomy)
        self.query_one(KeyMomentsList).show(events, review.key_moments)
        ev = Text()
        ev.append(f"{count(spans, 'pinned span')} · {count(cases, 'eval case')}", "dim")
        ev.append("\n:eval add DIGEST EXPECTED adds one · :export writes the package", "dim")
        self.query_one("#review-evidence", Static).update(ev)
        self._loaded_form = self._form_values()

    # -- the form ------------------------------------------------------------------------
    def _form_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            key: self.query_one(f"#review-{key}", TextArea).text for key, _l, _h in _AREAS
        }
        out.update({key: self.query_one(f"#review-{key}", Input).value for key, _ in _IMPACT})
        out["taxonomy"] = self.query_one("#review-taxonomy", Input).value
        out["root_cause"] = self.query_one("#review-root_cause", Select).value
        out["key_moments"] = self.query_one(KeyMomentsList).marked
        return out

    def _number(self, key: str, value: str, integer: bool) -> float | int | None:
        value = value.strip()
        if not value:
            return None
        try:
            n = float(value)
        except ValueError:
            raise DomainError(f"impact {key}: {value!r} is not a number") from None
        if n < 0:
            raise DomainError(f"impact {key}: must not be negative")
        if integer:
            if n != int(n):
                raise DomainError(f"impact {key}: {value!r} is not a whole number")
            return int(n)
        return n

    def build_review(self) -> Review:
        """The review as typed; raises DomainError naming the field that is wrong."""
        if self.review is None:
            raise DomainError("the review is still loading")
        f = self._form_values()
        root = f["root_cause"]
        impact = Impact(
            people=self._number("people", f["people"], True),
            records=self._number("records", f["records"], True),
            money=self._number("money", f["money"], False),
            hours=self._number("hours", f["hours"], False),
            currency=self.review.impact.currency,
            notes=self.review.impact.notes,
        )
        return self.review.model_copy(
            update={
                "summary": f["summary"].strip(),
                "what_happened": f["what_happened"].strip(),
                "root_cause": RootCause(root) if isinstance(root, str) else None,
                "contributing_factors": parse_list(f["contributing_factors"]),
                "controls": parse_controls(f["controls"]),
                "went_well": parse_list(f["went_well"]),
                "went_badly": parse_list(f["went_badly"]),
                "actions": parse_actions(f["actions"]),
                "expected_behaviour": f["expected_behaviour"].strip(),
                "messaging": f["messaging"].strip(),
                "taxonomy": [t.strip() for t in f["taxonomy"].split(",") if t.strip()],
                "key_moments": f["key_moments"],
                "impact": impact,
            }
        )

    @property
    def dirty(self) -> bool:
        return self._loaded_form is not None and self._form_values() != self._loaded_form

    # -- actions -----------------------------------------------------------------------------
    def action_save(self) -> None:
        self._submit(final=False)

    def action_complete(self) -> None:
        self._submit(final=True)

    def action_back(self) -> None:
        if self.dirty and not getattr(self.app, "read_only", False):
            self._leaving = True
            self._submit(final=False)
            return
        self.app.pop_screen()

    def quit_app(self, ask: bool = True) -> None:
        """``q`` (the app's quit, read where no field takes the letter): with changes not
        saved yet, ask first -- yes saves them as a draft, then quits, so nothing typed is
        lost; without, the screen beneath decides (the war room asks when the seat can act)."""
        if ask and self.dirty and not getattr(self.app, "read_only", False):
            from ircmd.tui.screens.dialogs.confirm import ConfirmScreen

            def done(yes: bool | None) -> None:
                if yes:
                    self._quitting = True
                    self._submit(final=False)

            self.app.push_screen(
                ConfirmScreen(
                    "Quit ircmd?",
                    f"The review of {self.incident_id} has changes not saved yet: "
                    "y saves them as a draft, then quits.",
                ),
                done,
            )
            return
        for screen in reversed(self.app.screen_stack[:-1]):
            beneath = getattr(screen, "quit_app", None)
            if callable(beneath):
                beneath(ask)
                return
        self.app.exit(0)

    def _submit(self, final: bool) -> None:
        try:
            review = self.build_review()
        except (DomainError, ValueError) as exc:
            self._leaving = self._quitting = False
            self._error(exc)
            return
        self._save(review, final)

    @work(thread=True, exclusive=True, group="review-save", exit_on_error=False)
    def _save(self, review: Review, final: bool) -> None:
        from ircmd.service.evidence.review import save_review

        try:
            inc, saved = save_review(self.service, review, final=final)
        except Exception as exc:  # worker: any failure is one line, never a silent stop
            self.post_message(ReviewFailed(exc, saving=True))
            return
        self.post_message(ReviewSaved(inc, saved))

    def _saved(self, inc: Incident, saved: Review) -> None:
        self.incident, self.review = inc, saved
        self._loaded_form = self._form_values()
        self.query_one("#review-header", Static).update(review_header(inc, saved))
        self._show_hint(inc.status)
        what = "Review completed: incident reviewed" if saved.final else "Review draft saved"
        self.notify(what, markup=False, timeout=4)
        if self._quitting:
            self.app.exit(0)
        elif self._leaving:
            self.app.pop_screen()

    def _failed(self, exc: BaseException) -> None:
        self._leaving = self._quitting = False  # stay: what was typed is still in the form
        self._error(exc)

    def _error(self, exc: BaseException) -> None:
        # a refused form (a field missing, a bad number) is a warning; a failure is an error
        refused = isinstance(exc, DomainError | ValueError)
        self.notify(
            one_line(str(exc) or type(exc).__name__),
            severity="warning" if refused else "error",
            markup=False,
            timeout=8,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action == "refused" or not (
            action in ("save", "complete") and getattr(self.app, "read_only", False)
        )
