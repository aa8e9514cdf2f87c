"""Form behaviour shared by every app."""

from __future__ import annotations


class FocusFirstError:
    """A form that, bound and invalid, gives its first invalid field `autofocus`. The
    page a failed POST re-renders then opens at that field (browsers scroll a focused
    field into view), not at the top with the error below a phone's fold. No script.

    Mix in before forms.Form: `class SeriesForm(FocusFirstError, forms.Form)`."""

    def full_clean(self) -> None:
        super().full_clean()
        invalid = (
            name
            for name, field in self.fields.items()
            if name in self._errors and not field.widget.is_hidden
        )
        first = next(invalid, None)
        if first is not None:
            # Each form has its own copy of its fields and their widgets.
            _autofocus(self.fields[first].widget)


def _autofocus(widget) -> None:
    if not getattr(widget, "option_inherits_attrs", False):
        widget.attrs["autofocus"] = True
        return
    # Checkboxes and radio buttons each get the widget's attributes: only the first
    # may have autofocus (a page has one).
    create_option = widget.create_option

    def create_first_focused(name, value, label, selected, index, subindex=None, attrs=None):
        option = create_option(name, value, label, selected, index, subindex, attrs)
        if index == 0 and not subindex:
            option["attrs"]["autofocus"] = True
        return option

    widget.create_option = create_first_focused
