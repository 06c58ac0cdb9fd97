/** The figure commands read the shared labelled data sets; a newcomer may not have them. */
export const SHARED_DATA_HELP =
  'the measured figures use the labelled data sets shared beside this checkout in ../shared/data (see README "Measured figures"); put a copy there, or pass your own files (--train/--test, --data DIR)';

/** One line naming the missing file and where the data comes from. */
export function missingDataMessage(path: string): string {
  return `${path} not found: ${SHARED_DATA_HELP}`;
}
