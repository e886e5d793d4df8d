"""Builds the monthly billing report, fetching usage in parallel with invoices."""
from concurrent.futures import ThreadPoolExecutor


def render(invoices, usage):
    lines = [f"{inv.account}\t{inv.total:.2f}\t{usage.get(inv.account, 0)}" for inv in invoices]
    return "\n".join(["account\ttotal\tusage", *lines])


class ReportBuilder:
    def __init__(self, billing, usage_api):
        self._billing = billing
        self._usage = usage_api

    def _usage_by_account(self, account_ids):
        return {acc: self._usage.total(acc) for acc in account_ids}

    def build(self, month, account_ids):
        pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="report")
        usage_fut = pool.submit(self._usage_by_account, account_ids)
        invoices = self._billing.invoices(month, account_ids)  # expect: SDL103
        pool.shutdown(wait=True)
        return render(invoices, usage_fut.result())

    def build_many(self, months, account_ids):
        return {m: self.build(m, account_ids) for m in months}

    def publish(self, storage, month, account_ids):
        report = self.build(month, account_ids)
        key = f"reports/{month:%Y-%m}/billing.tsv"
        storage.put(key, report.encode("utf-8"), content_type="text/tab-separated-values")
        return key
