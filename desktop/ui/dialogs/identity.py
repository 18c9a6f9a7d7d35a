"""Who is working, and in which role — asked when a workspace is opened, recorded on every event.

编制 (the evaluation group) edits claims, evidence and links; 审核 (an inspector) reviews and comments and
cannot change anything else — the services refuse it whatever the window shows.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
)

ROLE_TEXT = {
    "editor": "编制 — 评价工作小组：导入报告、登记佐证、关联指标",
    "reviewer": "审核 — 财政局、审计、主管部门：逐条审核并填写意见，不能修改指标和关联",
}


class IdentityDialog(QDialog):
    def __init__(self, actor: str, role: str, workspace_name: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("identityDialog")
        self.setWindowTitle("打开工作区 — 身份")
        self.name_edit = QLineEdit(actor)
        self.name_edit.setObjectName("identityName")
        self.name_edit.setPlaceholderText("姓名（记录在每条审计事件中）")
        self.role_buttons: dict[str, QRadioButton] = {}
        group = QButtonGroup(self)
        for key, text in ROLE_TEXT.items():
            b = QRadioButton(text)
            b.setObjectName(f"identityRole_{key}")
            group.addButton(b)
            self.role_buttons[key] = b
        self.role_buttons.get(role, self.role_buttons["editor"]).setChecked(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("打开")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update)

        form = QFormLayout()
        form.addRow("姓名：", self.name_edit)
        roles = QVBoxLayout()
        for b in self.role_buttons.values():
            roles.addWidget(b)
        form.addRow("角色：", roles)
        v = QVBoxLayout(self)
        if workspace_name:
            v.addWidget(QLabel(f"<b>{_h(workspace_name)}</b>"))
        v.addLayout(form)
        v.addWidget(QLabel("<span style='color:#757575'>姓名和角色会记录在之后的每一条审计事件中。</span>"))
        v.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name_edit.text().strip()))

    def values(self) -> tuple[str, str]:
        role = next(k for k, b in self.role_buttons.items() if b.isChecked())
        return self.name_edit.text().strip(), role


def ask_identity(parent, actor: str, role: str, workspace_name: str | None = None) -> tuple[str, str] | None:
    """Show the dialog; (actor, role) on 打开, None on 取消. Remembers the choice for next time."""
    from desktop import config

    dlg = IdentityDialog(actor, role, workspace_name, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    actor, role = dlg.values()
    config.save_config(actor=actor, role=role)
    return actor, role


def _h(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
