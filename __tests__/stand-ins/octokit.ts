// Shared by the tests that drive the GitHub stand-in with Octokit.

/** The status and body of a request Octokit rejects. */
export async function failure(request: Promise<unknown>) {
  const error = (await request.then(
    () => undefined,
    (e: unknown) => e
  )) as { status: number; response: { data: unknown } }
  if (!error) throw new Error('the request succeeded')
  return { status: error.status, body: error.response.data }
}
