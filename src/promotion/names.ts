/**
 * The names Promoter owns in a repository: its branches `promoter/<env>/<dependency-id>` and its labels
 * `promoter:<env>`, `promoter:hold`. No imports: config, promotion and the GitHub adapters all read these.
 */

/** Every branch the app creates starts with this. */
export const PROMOTER_BRANCH_PREFIX = "promoter/";

/** Every label the app owns starts with this. */
export const PROMOTER_LABEL_PREFIX = "promoter:";

/** The branch of the onboarding pull request, which adds `.github/promoter.yml`. */
export const ONBOARDING_BRANCH = `${PROMOTER_BRANCH_PREFIX}configure`;
