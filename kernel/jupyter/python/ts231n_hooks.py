"""Jupyter server hooks that `npm run lab` installs (kernel/jupyter/lab.ts).

give_cells_ids: the classic notebook (6.x) creates cells without the `id` field that nbformat 4.5
requires, so saving a 4.5 notebook (the course's notebooks are 4.5) after adding a cell made the
server print MissingIDFieldWarning and invent the ids itself. This pre-save hook gives each cell
without an id a fresh one first, as JupyterLab does when it creates the cell.
"""
import uuid


def give_cells_ids(model, **kwargs):
    if model.get("type") != "notebook":
        return
    nb = model.get("content")
    if not isinstance(nb, dict) or (nb.get("nbformat", 0), nb.get("nbformat_minor", 0)) < (4, 5):
        return
    cells = nb.get("cells") or []
    taken = {c.get("id") for c in cells if isinstance(c, dict)}
    for cell in cells:
        if isinstance(cell, dict) and not cell.get("id"):
            new = uuid.uuid4().hex[:8]
            while new in taken:
                new = uuid.uuid4().hex[:8]
            cell["id"] = new
            taken.add(new)
