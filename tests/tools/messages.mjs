// Checks a Cucumber Messages NDJSON file and renders it with the official
// HTML formatter.
//
//   node messages.mjs STREAM.ndjson PAGE.html
//
// Every line must be one envelope valid against `messages.schema.json` of
// `@cucumber/messages`, and every id a message refers to must name a
// message before it (document nodes, pickles, pickle steps, step
// definitions, test cases, test steps, started test cases and the test run).
// Then the stream goes through `@cucumber/html-formatter` to PAGE.html.
// Problems go to stderr, one a line, and the exit code is 1.

import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { pipeline } from 'node:stream/promises'

import Ajv2020 from 'ajv/dist/2020.js'
import { CucumberHtmlStream } from '@cucumber/html-formatter'

const [streamPath, pagePath] = process.argv.slice(2)
if (!streamPath || !pagePath) {
  console.error('usage: node messages.mjs STREAM.ndjson PAGE.html')
  process.exit(2)
}

// Paths from this file's folder without `import.meta.dirname` (Node 20.11),
// so that Debian's Node 18 runs this too.
const here = path.dirname(fileURLToPath(import.meta.url))
const modules = path.join(here, 'node_modules')
// Not among the package's exports: read from where npm put it.
const schemaPath = path.join(modules, '@cucumber/messages/messages.schema.json')
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'))
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema)

const problems = []
const envelopes = []
const lines = fs.readFileSync(streamPath, 'utf8').split('\n')
if (lines.at(-1) !== '') problems.push('the stream does not end with a newline')
lines.forEach((line, index) => {
  if (line === '') return
  let envelope
  try {
    envelope = JSON.parse(line)
  } catch (error) {
    problems.push(`line ${index + 1}: not JSON: ${error.message}`)
    return
  }
  if (Object.keys(envelope).length !== 1) {
    problems.push(`line ${index + 1}: an envelope holds exactly one message`)
  }
  if (!validate(envelope)) {
    for (const error of validate.errors) {
      problems.push(`line ${index + 1}: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`)
    }
  }
  envelopes.push([index + 1, envelope])
})

// Ids seen so far, by kind.
const seen = {
  node: new Set(), pickle: new Set(), pickleStep: new Set(), stepDefinition: new Set(),
  testCase: new Set(), testStep: new Set(), testCaseStarted: new Set(), testRun: new Set(),
}
const nodeIds = (value) => {
  if (Array.isArray(value)) value.forEach(nodeIds)
  else if (value && typeof value === 'object') {
    if (typeof value.id === 'string') seen.node.add(value.id)
    Object.values(value).forEach(nodeIds)
  }
}
const refer = (line, kind, id) => {
  if (!seen[kind].has(id)) problems.push(`line ${line}: \`${id}\` names no ${kind} before it`)
}
for (const [line, envelope] of envelopes) {
  const { gherkinDocument, pickle, stepDefinition, testRunStarted, testCase,
    testCaseStarted, testStepStarted, testStepFinished, testCaseFinished, testRunFinished } = envelope
  if (gherkinDocument) nodeIds(gherkinDocument.feature)
  if (pickle) {
    pickle.astNodeIds.forEach((id) => refer(line, 'node', id))
    pickle.tags.forEach((tag) => refer(line, 'node', tag.astNodeId))
    for (const step of pickle.steps) {
      step.astNodeIds.forEach((id) => refer(line, 'node', id))
      seen.pickleStep.add(step.id)
    }
    seen.pickle.add(pickle.id)
  }
  if (stepDefinition) seen.stepDefinition.add(stepDefinition.id)
  if (testRunStarted) seen.testRun.add(testRunStarted.id)
  if (testCase) {
    refer(line, 'pickle', testCase.pickleId)
    refer(line, 'testRun', testCase.testRunStartedId)
    for (const step of testCase.testSteps) {
      refer(line, 'pickleStep', step.pickleStepId)
      step.stepDefinitionIds.forEach((id) => refer(line, 'stepDefinition', id))
      seen.testStep.add(step.id)
    }
    seen.testCase.add(testCase.id)
  }
  if (testCaseStarted) {
    refer(line, 'testCase', testCaseStarted.testCaseId)
    seen.testCaseStarted.add(testCaseStarted.id)
  }
  for (const message of [testStepStarted, testStepFinished]) {
    if (!message) continue
    refer(line, 'testCaseStarted', message.testCaseStartedId)
    refer(line, 'testStep', message.testStepId)
  }
  if (testCaseFinished) refer(line, 'testCaseStarted', testCaseFinished.testCaseStartedId)
  if (testRunFinished) refer(line, 'testRun', testRunFinished.testRunStartedId)
}
const kinds = envelopes.map(([, envelope]) => Object.keys(envelope)[0])
if (kinds[0] !== 'meta') problems.push('the first message is not `meta`')
if (kinds.at(-1) !== 'testRunFinished') problems.push('the last message is not `testRunFinished`')

if (problems.length > 0) {
  problems.forEach((problem) => console.error(problem))
  process.exit(1)
}

await pipeline(
  Readable.from(envelopes.map(([, envelope]) => envelope)),
  new CucumberHtmlStream(
    path.join(modules, '@cucumber/html-formatter/dist/main.css'),
    path.join(modules, '@cucumber/html-formatter/dist/main.js'),
    path.join(modules, '@cucumber/html-formatter/dist/src/icon.url'),
  ),
  fs.createWriteStream(pagePath),
)
console.log(`${envelopes.length} messages valid; page written to ${pagePath}`)
