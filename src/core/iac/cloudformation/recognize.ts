/**
 * A cheap look at a text (no parse, no imports: the editor adapters call it before loading anything) to
 * decide whether it may be a CloudFormation template. parseTemplate(…).isCloudFormation confirms it.
 */

/** The largest template read (CloudFormation itself refuses templates over 1 MB). */
export const MAX_TEMPLATE_BYTES = 1_048_576;

// Bounded runs of white space only: a run of blank lines must not be rescanned from every line start.
const FORMAT_VERSION_KEY = /(?:^[ \t]{0,64}|[{,][ \t\r\n]{0,64})["']?AWSTemplateFormatVersion["']?[ \t]{0,64}:/m;
/** Top-level Resources: at column 0 in YAML (not nested, as in serverless.yml), or the JSON key. */
const RESOURCES_KEY = /^["']?Resources["']?[ \t]{0,64}:|"Resources"[ \t\r\n]{0,64}:/m;
const RESOURCE_TYPE = /Type["']?[ \t]{0,64}:[ \t\r\n]{0,64}["']?(?:AWS|Alexa|Custom)::/;

/** Could the text be a template? True for every template written the usual way; may be true for others. */
export function mightBeCloudFormationTemplate(text: string): boolean {
  if (text.length > MAX_TEMPLATE_BYTES) return false;
  return FORMAT_VERSION_KEY.test(text) || (RESOURCES_KEY.test(text) && RESOURCE_TYPE.test(text));
}
