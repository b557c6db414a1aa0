"""Bank statements as banks send them: an ISO 20022 camt.053.001.08 document and the CSV layout."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

IBAN = "GB33BUKB20201555555555"


@dataclass
class Credit:
    bank_ref: str
    amount: str          # "2030.00"
    text: str            # remittance information (unstructured)
    currency: str = "USD"
    debit: bool = False
    debtor: str = "A. Investor"


def camt053(statement_id: str, credits: list[Credit], booked: str = "2026-12-04") -> bytes:
    entries = "".join(f"""
      <Ntry>
        <NtryRef>{escape(c.bank_ref)}-N</NtryRef>
        <Amt Ccy="{c.currency}">{c.amount}</Amt>
        <CdtDbtInd>{"DBIT" if c.debit else "CRDT"}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{booked}</Dt></BookgDt>
        <ValDt><Dt>{booked}</Dt></ValDt>
        <AcctSvcrRef>{escape(c.bank_ref)}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Pty><Nm>{escape(c.debtor)}</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>{escape(c.text)}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>""" for c in credits)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{statement_id}-MSG</MsgId><CreDtTm>{booked}T18:00:00Z</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>{booked}T18:00:00Z</CreDtTm>
      <Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>USD</Ccy></Acct>{entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>""".encode()


def csv_statement(credits: list[Credit], booked: str = "2026-12-04") -> bytes:
    lines = ["entry_reference,booking_date,amount,currency,reference,direction,debtor_name,account"]
    lines += [f"{c.bank_ref},{booked},{c.amount},{c.currency},{c.text},{'DBIT' if c.debit else 'CRDT'},"
              f"{c.debtor},{IBAN}" for c in credits]
    return ("\n".join(lines) + "\n").encode()
