/**
 * Reading the core's English failure text of a VM (`VmSummary.error`, app/core/vbox/inventory.ts
 * `describeFailure`), which starts with the kind of failure. DOM-free (unit-tested in Node).
 */

/**
 * True when the text says VBoxManage timed out reading the VM (`Timed out: …`, `Timed out after
 * 15 s: …`): reading it again may work, so the UI adds "Refresh to try again." (the core's text
 * leaves what to do next to the program showing it).
 */
export function timedOut(error: string | undefined): boolean {
  return error !== undefined && /^Timed out(?: after [^:]+)?: /.test(error);
}
