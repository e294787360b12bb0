/** reftrail's version, recorded in the documents it writes. Keep in step with package.json. */
export const VERSION = "0.1.0";
