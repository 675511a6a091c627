"""A page with only the "Teach your own classes" tab, for tests/ui/test_teach_ui.py."""

from ui.teach import teach_own_classes

teach_own_classes()
