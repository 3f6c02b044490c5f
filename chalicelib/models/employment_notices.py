"""Public employment information (公共就业信息), imported from the core system.

Keys: hash `id_number`, range `notice_id` ("<date YYYY-MM-DD>#<notice number>").
`kind`: EMPLOYED (就业登记), UNEMPLOYED (失业登记), FLEXIBLE (灵活就业登记),
TRAINING (职业培训), SUBSIDY (就业补贴). `organisation` is the employer or the service agency.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from .. import settings
from .base import BaseMeta, TableModel


class EmploymentNotice(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("employment-notices")

    id_number = UnicodeAttribute(hash_key=True)
    notice_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    notice_date = UnicodeAttribute()
    organisation = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
