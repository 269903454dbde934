"""Executors: approved actions become input events and shell commands; settle detection.

Public API: ``dispatch.ActionExecutor`` (the loop's ``Executor``), ``gui.GuiExecutor``,
``shell.ShellRunner``, ``settle.ScreenSettler`` / ``settle.FixedSettler``,
``text_entry.TextTyper`` and the key tables in ``keys``.  Modules are imported one by one
so that nothing opens the display before the app is ready for it.
"""
