"""Form pieces shared by every app."""

import uuid

from django import forms


class OnceOnlyForm(forms.Form):
    """A create form with a one-time token, so a double click or a resent POST creates one
    row (``phocap.common.actions.submit`` spends the token). Works as a mixin of ModelForms too."""

    submit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4().hex)

    def payload(self) -> dict:
        """The cleaned data a service takes (the token is the view's business)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "submit_token"}
