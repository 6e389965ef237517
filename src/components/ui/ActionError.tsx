/** Why a button's action failed, beside the button. */
export function ActionError({ error }: { error: string | null }) {
  return error ? (
    <span className="field-error" role="alert">
      {error}
    </span>
  ) : null;
}
