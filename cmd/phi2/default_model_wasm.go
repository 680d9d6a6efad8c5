package main

// useDefaultModel leaves the model to the host: it names one before it runs
// this build.
func (e *engineFlags) useDefaultModel(args []string) ([]string, error) {
	if e.model == "" {
		return nil, usageErr("--model is required")
	}
	return args, nil
}
